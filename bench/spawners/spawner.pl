# A long-lived spawner for the spawn benchmark (bench/spawn.mjs), in Perl: it forks each job
# from its own small process, so the worker only writes a request and reads two lines.
#
# Request on stdin: "LEN\n" then LEN bytes of NUL-terminated fields: id, cwd, stdout file,
# stderr file, argc, the argv, then the environment (NAME=value each) to the end.
# Replies on stdout, one line each: "P id pid" (started), "E id why" (could not start),
# "X id code N" or "X id signal N" (ended). At the end of stdin it exits, leaving jobs running.
use strict;
use warnings;
use POSIX ();
use Fcntl qw(O_WRONLY O_CREAT O_TRUNC O_RDONLY);

$| = 1;
my %id_of;
my %starting;
my %unconfirmed;
my $rin = '';
# An empty handler so that select returns (EINTR) when a child ends. The 50 ms timeout while
# jobs run covers a SIGCHLD that arrives between the reaping and the select.
$SIG{CHLD} = sub { };

sub reap {
  while ((my $pid = waitpid(-1, POSIX::WNOHANG())) > 0) {
    my $id = delete $id_of{$pid};
    next unless defined $id;
    my $st = $?;
    my $line = ($st & 127) ? "X $id signal " . ($st & 127) . "\n" : "X $id code " . ($st >> 8) . "\n";
    # Ended before its exec was read: told after its start (or why it could not start).
    if (exists $unconfirmed{$pid}) { $unconfirmed{$pid} = $line } else { print $line }
  }
}

sub launch {
  my ($id, $cwd, $out, $err, $argc, @rest) = @_;
  my @argv = splice(@rest, 0, $argc);
  pipe(my $r, my $w) or return print "E $id pipe: $!\n";
  my $pid = fork;
  return print "E $id fork: $!\n" unless defined $pid;
  if ($pid == 0) {
    close $r;
    my $fail = sub { syswrite $w, $_[0]; POSIX::_exit(127) };
    POSIX::setsid();
    chdir $cwd or $fail->("chdir $cwd: $!");
    POSIX::dup2(POSIX::open('/dev/null', O_RDONLY), 0);
    my $o = POSIX::open($out, O_WRONLY | O_CREAT | O_TRUNC, 0600) // $fail->("open $out: $!");
    POSIX::dup2($o, 1);
    if ($err eq $out) { POSIX::dup2($o, 2) }
    else { POSIX::dup2(POSIX::open($err, O_WRONLY | O_CREAT | O_TRUNC, 0600) // $fail->("open $err: $!"), 2) }
    %ENV = map { split /=/, $_, 2 } @rest;
    { no warnings 'exec'; exec { $argv[0] } @argv; }
    $fail->("exec $argv[0]: $!");
  }
  close $w;
  # Not waiting here for the exec: the pipe is read in the loop, which starts the next job
  # meanwhile. It reads end-of-file at the exec, or why the job could not start.
  $starting{fileno $r} = [$r, $id, $pid];
  $id_of{$pid} = $id;
  $unconfirmed{$pid} = '';
  vec($rin, fileno $r, 1) = 1;
}

sub started {
  my ($r, $id, $pid) = @{delete $starting{$_[0]}};
  vec($rin, $_[0], 1) = 0;
  my $why = do { local $/; <$r> } // '';
  close $r;
  my $ended = delete $unconfirmed{$pid};
  if ($why ne '') {
    waitpid($pid, 0) if $ended eq '';
    delete $id_of{$pid};
    print "E $id $why\n";
  } else {
    print "P $id $pid\n", $ended;
  }
}

my $buf = '';
vec($rin, fileno(STDIN), 1) = 1;
while (1) {
  my $n = select(my $rout = $rin, undef, undef, %id_of || %starting ? 0.05 : undef);
  for my $fd (keys %starting) { started($fd) if $n > 0 && vec($rout, $fd, 1) }
  reap();
  next unless $n > 0 && vec($rout, fileno(STDIN), 1);
  my $got = sysread(STDIN, $buf, 65536, length $buf);
  last unless $got;
  while ($buf =~ /^(\d+)\n/ && length($buf) >= length($1) + 1 + $1) {
    my $len = $1;
    my $body = substr($buf, length($len) + 1, $len);
    substr($buf, 0, length($len) + 1 + $len) = '';
    launch(split /\0/, $body, -1);
  }
}
