package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readmeBlock returns the README's fenced block of language lang that
// contains marker: the tests run the README's recipes as written.
func readmeBlock(t *testing.T, lang, marker string) string {
	t.Helper()
	src, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	for _, b := range regexp.MustCompile("(?s)```"+lang+"\n(.*?)```").FindAllStringSubmatch(string(src), -1) {
		if strings.Contains(b[1], marker) {
			return b[1]
		}
	}
	t.Fatalf("README.md has no ```%s block with %q", lang, marker)
	return ""
}

// slurm is a one-node Slurm cluster of this machine's own daemons,
// configured in a temporary directory.
type slurm struct {
	dir string
	env []string // SLURM_CONF and PATH for the commands
}

// cannotRun skips the Slurm test where Slurm cannot run, or fails it
// where it must: .ci/run sets DBSIM_REQUIRE_SLURM=1 after installing
// Slurm, so that CI passing means the job array ran, not that it was
// skipped.
func cannotRun(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("DBSIM_REQUIRE_SLURM") != "" {
		t.Fatalf(format+" (DBSIM_REQUIRE_SLURM is set: this test must run)", args...)
	}
	t.Skipf(format, args...)
}

// slurmTimeout bounds everything the Slurm test waits for.
const slurmTimeout = 90 * time.Second

// startSlurm starts munged, slurmctld and slurmd (Debian's packages) on
// this machine with a configuration in a temporary directory, and stops
// them when the test ends, failed or not. It skips the test where Slurm
// cannot run: not installed, not root, munge that does not start.
func startSlurm(t *testing.T, ctx context.Context) *slurm {
	t.Helper()
	path := os.Getenv("PATH") + ":/usr/sbin:/sbin"
	bins := map[string]string{}
	for _, name := range []string{"munged", "slurmctld", "slurmd", "sbatch", "squeue", "sinfo", "scontrol", "scancel"} {
		var found string
		for _, d := range filepath.SplitList(path) {
			if fi, err := os.Stat(filepath.Join(d, name)); err == nil && !fi.IsDir() {
				found = filepath.Join(d, name)
				break
			}
		}
		if found == "" {
			cannotRun(t, "Slurm is not installed (no %s): apt-get install slurmctld slurmd slurm-client munge (.ci/run does)", name)
		}
		bins[name] = found
	}
	if os.Geteuid() != 0 {
		cannotRun(t, "the Slurm test runs its daemons as root, and this is not root")
	}
	// A short path: munge's socket path must fit in 108 bytes.
	dir, err := os.MkdirTemp("", "dbsim-slurm-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	require.NoError(t, os.Chmod(dir, 0o755)) // munged wants its socket's directory open to all
	s := &slurm{dir: dir, env: append(os.Environ(), "SLURM_CONF="+filepath.Join(dir, "slurm.conf"))}

	// munge: a key of our own, its socket in dir.
	key := make([]byte, 1024)
	rand.Read(key)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "munge.key"), key, 0o400))
	sock := filepath.Join(dir, "munge.sock")
	munged := s.daemon(t, "munge", bins["munged"], "-F", "--key-file="+filepath.Join(dir, "munge.key"), "--socket="+sock,
		"--pid-file="+filepath.Join(dir, "munged.pid"), "--log-file="+filepath.Join(dir, "munged.log"),
		"--seed-file="+filepath.Join(dir, "munged.seed"))
	if !waitFor(ctx, 10*time.Second, func() bool { _, err := os.Stat(sock); return err == nil || exited(munged) }) || exited(munged) {
		cannotRun(t, "munge cannot start here, so Slurm cannot authenticate: %s", s.logs("munge.out", "munged.log"))
	}

	host, err := os.Hostname()
	require.NoError(t, err)
	host, _, _ = strings.Cut(host, ".")
	conf := fmt.Sprintf(`# A one-node Slurm for dbsim's test: no cgroups (containers lack them),
# no accounting, everything in %[1]s.
ClusterName=dbsimtest
SlurmctldHost=%[2]s(127.0.0.1)
SlurmctldPort=%[3]d
SlurmdPort=%[4]d
AuthType=auth/munge
AuthInfo=socket=%[5]s
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=%[1]s/state
SlurmdSpoolDir=%[1]s/spool
SlurmctldPidFile=%[1]s/slurmctld.pid
SlurmdPidFile=%[1]s/slurmd.pid
SlurmctldLogFile=%[1]s/slurmctld.log
SlurmdLogFile=%[1]s/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
MailProg=/bin/true
ReturnToService=2
SchedulerType=sched/backfill
NodeName=%[2]s NodeAddr=127.0.0.1 CPUs=%[6]d State=UNKNOWN
PartitionName=test Nodes=%[2]s Default=YES MaxTime=INFINITE State=UP
`, dir, host, freePort(t), freePort(t), sock, runtime.NumCPU())
	require.NoError(t, os.WriteFile(filepath.Join(dir, "slurm.conf"), []byte(conf), 0o644))
	for _, d := range []string{"state", "spool"} {
		require.NoError(t, os.Mkdir(filepath.Join(dir, d), 0o755))
	}
	s.daemon(t, "slurmctld", bins["slurmctld"], "-D", "-f", filepath.Join(dir, "slurm.conf"))
	s.daemon(t, "slurmd", bins["slurmd"], "-D", "-N", host, "-f", filepath.Join(dir, "slurm.conf"))
	if !waitFor(ctx, 30*time.Second, func() bool {
		out, _ := s.command(ctx, bins["sinfo"], "-h", "-N", "-o", "%T").Output()
		return strings.TrimSpace(string(out)) == "idle"
	}) {
		t.Fatalf("Slurm did not come up in 30 s: %s", s.logs("slurmctld.out", "slurmctld.log", "slurmd.out", "slurmd.log"))
	}
	return s
}

// daemon starts a daemon in the foreground, its output in dir/NAME.out,
// and stops it when the test ends: SIGTERM, then SIGKILL after 5 s. Its
// parent's death kills it too (a test binary that timed out). The channel
// returned is closed when it exits.
func (s *slurm) daemon(t *testing.T, name, bin string, args ...string) <-chan struct{} {
	t.Helper()
	out, err := os.Create(filepath.Join(s.dir, name+".out"))
	require.NoError(t, err)
	cmd := exec.Command(bin, args...)
	cmd.Env, cmd.Stdout, cmd.Stderr = s.env, out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	require.NoError(t, cmd.Start(), name)
	exited := make(chan struct{})
	go func() { cmd.Wait(); out.Close(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	})
	return exited
}

// exited reports whether the daemon whose channel is c has exited.
func exited(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// command is a Slurm command (or any) with the cluster's environment, in
// dir; ctx kills it.
func (s *slurm) command(ctx context.Context, bin string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env, cmd.Dir = s.env, s.dir
	return cmd
}

// logs are the last lines of the named files in dir, for a failure.
func (s *slurm) logs(names ...string) string {
	var b strings.Builder
	for _, n := range names {
		data, _ := os.ReadFile(filepath.Join(s.dir, n))
		lines := strings.Split(strings.TrimSpace(string(data)), "\n")
		fmt.Fprintf(&b, "\n--- %s:\n%s", n, strings.Join(lines[max(0, len(lines)-15):], "\n"))
	}
	return b.String()
}

// waitFor polls ok every 100 ms until it holds (true) or d or ctx ends.
func waitFor(ctx context.Context, d time.Duration, ok func() bool) bool {
	end := time.Now().Add(d)
	for time.Now().Before(end) && ctx.Err() == nil {
		if ok() {
			return true
		}
		time.Sleep(100 * time.Millisecond)
	}
	return false
}

// freePort is a TCP port free on this machine a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// The README's Slurm recipe, as written, on a real one-node Slurm: an
// array job of four tasks, one shard each, merged, is the unsharded
// sweep byte for byte.
func TestSlurmJobArrayMergesToTheUnshardedSweep(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Slurm cluster")
	}
	start := time.Now()
	script := readmeBlock(t, "bash", "#SBATCH --array")
	submit := strings.TrimSpace(readmeBlock(t, "sh", "sbatch --wait sweep.sbatch"))
	ctx, cancel := context.WithTimeout(context.Background(), slurmTimeout)
	defer cancel()
	s := startSlurm(t, ctx)
	t.Logf("Slurm up in %v", time.Since(start).Round(time.Millisecond))

	bin := buildDBSim(t)
	s.env = append(s.env, "PATH="+filepath.Dir(bin)+":"+os.Getenv("PATH")+":/usr/sbin")
	work := filepath.Join(s.dir, "work")
	require.NoError(t, os.Mkdir(work, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(work, "sweep.sbatch"), []byte(script), 0o755))

	// The README's submission: sbatch --wait, then dbsim merge.
	t.Cleanup(func() {
		// A job still there (the test failed or timed out) goes.
		cctx, ccancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer ccancel()
		s.command(cctx, "scancel", "--name=dbsim-sweep").Run()
	})
	cmd := s.command(ctx, "bash", "-euo", "pipefail", "-c", submit)
	cmd.Dir = work
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	logs, _ := filepath.Glob(filepath.Join(work, "sweep-*.log"))
	var taskLogs strings.Builder
	for _, l := range logs {
		b, _ := os.ReadFile(l)
		fmt.Fprintf(&taskLogs, "\n--- %s:\n%s", filepath.Base(l), b)
	}
	require.NoError(t, err, "%s\n%s%s%s", submit, out.String(), taskLogs.String(), s.logs("slurmctld.log", "slurmd.log"))
	t.Logf("array job and merge done at %v: %s", time.Since(start).Round(time.Millisecond), strings.TrimSpace(strings.SplitN(out.String(), "\n", 2)[0]))
	assert.Len(t, logs, 4, "one log per array task")

	// Every task ran under Slurm and completed.
	jobID := regexp.MustCompile(`Submitted batch job (\d+)`).FindStringSubmatch(out.String())
	require.NotNil(t, jobID, out.String())
	show, err := s.command(ctx, "scontrol", "show", "job", jobID[1]).Output()
	require.NoError(t, err)
	states := regexp.MustCompile(`JobState=(\S+)`).FindAllStringSubmatch(string(show), -1)
	require.Len(t, states, 4, string(show))
	for _, st := range states {
		assert.Equal(t, "COMPLETED", st[1], string(show))
	}
	shards, _ := filepath.Glob(filepath.Join(work, "shards", "sweep-shard-*-of-4.json"))
	assert.Len(t, shards, 4)

	// The same script, run once as the only task, is the unsharded sweep.
	whole := filepath.Join(s.dir, "whole")
	require.NoError(t, os.Mkdir(whole, 0o755))
	one := s.command(ctx, "bash", filepath.Join(work, "sweep.sbatch"))
	one.Dir = whole
	one.Env = append(one.Env, "SLURM_ARRAY_TASK_ID=0", "SLURM_ARRAY_TASK_COUNT=1")
	b, err := one.CombinedOutput()
	require.NoError(t, err, string(b))

	a, m := readDir(t, filepath.Join(whole, "shards")), readDir(t, filepath.Join(work, "results"))
	require.Equal(t, keys(a), keys(m))
	assert.Contains(t, a, "sweep.csv")
	assert.Contains(t, a, "sweep.json")
	for name := range a {
		assert.True(t, bytes.Equal(a[name], m[name]), "%s differs between the Slurm array's merge and the unsharded sweep", name)
	}
	t.Logf("Slurm test took %v (daemons, build, array job, merge, unsharded sweep)", time.Since(start).Round(time.Millisecond))
}
