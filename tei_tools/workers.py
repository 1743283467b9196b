"""Worker processes that build document after document, and can be retired for their memory.

Each worker is a child process with a pipe to this one. It sets itself up once (the
`setup` function: for a build, one Saxon processor, the compiled stylesheets and the
schemas), then runs `job` for each set of arguments it is sent, one at a time, and sends
back each result. This process hands out the tasks, one per idle worker, and gathers the
results as they come.

With a memory limit, a worker whose resident memory would pass the limit with one more
task (its memory now plus the most a task has needed above the memory it began with,
its peak inside the task included) says so with its result and exits, and a new worker
takes its place, at the cost of setting a new worker up (about 0.2 s for a build). A
worker's memory is already bounded by Saxon's young generation (tei_tools.saxon_runtime:
about 150 MiB for the article); the limit is for documents far larger than that, or for
a saxonche whose runtime tei_tools cannot size, where Saxon's heap grows with the
documents built before its runtime collects it.

New workers are started from the calling thread only and no other thread of this module
runs meanwhile, so a forked worker never inherits a lock another thread held (unlike
multiprocessing.Pool, which forks replacement workers from a helper thread).
"""
from __future__ import annotations

import os
import signal
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

@dataclass
class _Worker:
    process: Any  # multiprocessing.Process
    connection: Any  # this end of the pipe
    task: Any = None  # the task it is working on, or None when idle
    done: int = 0  # tasks it has finished


# The signals a worker takes its own way (_serve), blocked from its birth until then.
_WORKER_SIGNALS = {signal.SIGTERM, signal.SIGINT}


def run_tasks(
    tasks: Iterable[Any],
    arguments: Callable[[Any], tuple],
    *,
    job: Callable,
    setup: Callable,
    setup_args: tuple,
    workers: int,
    context,
    on_result: Callable[[Any, Any], None],
    on_lost: Callable[[Any, str], Any],
    memory_limit_mib: float | None = None,
) -> None:
    """Run `job(*arguments(task))` for each task in worker processes, `workers` at a time.

    `on_result(task, result)` is called in this process as each result arrives; a worker
    that dies during a task is reported as `on_result(task, on_lost(task, why))` and
    replaced (one that dies between tasks is replaced, and its successor takes the task).
    `job`, `setup` and the arguments must be picklable when `context` spawns.
    On an exception here (Ctrl-C), the tasks under way are finished and reported, no new
    one is started, and the exception goes on.
    """
    pool = _Pool(deque(tasks), arguments, (job, setup, setup_args, memory_limit_mib), context, on_result, on_lost)
    pool.run(workers)


class _Pool:
    """The workers of one run_tasks call, and the tasks not yet handed out."""

    def __init__(self, pending: deque, arguments: Callable[[Any], tuple], serve_args: tuple, context,
                 on_result: Callable[[Any, Any], None], on_lost: Callable[[Any, str], Any]) -> None:
        self.pending = pending
        self.arguments = arguments
        self.serve_args = serve_args  # (job, setup, setup_args, memory_limit_mib) for _serve
        self.context = context
        self.on_result = on_result
        self.on_lost = on_lost
        self.running: list[_Worker] = []

    def run(self, workers: int) -> None:
        from multiprocessing.connection import wait

        try:
            for _ in range(min(workers, len(self.pending))):
                self.keep_busy(None)
            while any(w.task is not None for w in self.running):
                ready = wait([w.connection for w in self.running if w.task is not None])
                for worker in [w for w in self.running if w.connection in ready]:
                    if self.finish(worker):
                        self.keep_busy(worker)
                    else:
                        self.retire(worker)
                        self.keep_busy(None)  # a new worker, if tasks remain
        except BaseException:
            self.pending.clear()
            for worker in self.running:
                if worker.task is not None:
                    self.finish(worker)
            raise
        finally:
            for worker in list(self.running):
                self.retire(worker)

    def start(self) -> _Worker:
        ours, theirs = self.context.Pipe()
        process = self.context.Process(target=_serve, args=(theirs, *self.serve_args, os.getpid()), daemon=True)
        # The worker is born with SIGTERM and SIGINT blocked (a child inherits the mask, across
        # exec too), so that one arriving before _serve has set its own handlers waits for
        # them instead of meeting this process's handler in multiprocessing's start-up and
        # printing a traceback; here the mask is restored at once.
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, _WORKER_SIGNALS)
        try:
            process.start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        theirs.close()
        worker = _Worker(process, ours)
        self.running.append(worker)
        return worker

    def finish(self, worker: _Worker) -> bool:
        """Take the worker's reply to its task (or note its death); True if it goes on."""
        task, worker.task = worker.task, None
        try:
            result, retiring = worker.connection.recv()
            worker.done += 1
        except (EOFError, OSError):
            result, retiring = self.on_lost(task, _death(worker.process)), True
        self.on_result(task, result)
        return not retiring

    def retire(self, worker: _Worker) -> None:
        _stop(worker)
        self.running.remove(worker)

    def keep_busy(self, worker: _Worker | None) -> None:
        """Give `worker` (a new one if None) the next task; retire it when none is left."""
        while self.pending:
            worker = worker or self.start()
            worker.task = self.pending.popleft()
            try:
                worker.connection.send(self.arguments(worker.task))
                return
            except (OSError, ValueError):  # it died while idle
                if worker.done:  # it had worked: its successor takes the task
                    self.pending.appendleft(worker.task)
                    worker.task = None
                else:  # it never worked (its set-up failed?): the task is lost, not retried forever
                    self.finish(worker)
                self.retire(worker)
                worker = None
        if worker is not None:
            self.retire(worker)


def _stop(worker: _Worker) -> None:
    """Tell an idle worker to exit (it may have exited already) and wait for it."""
    try:
        worker.connection.send(None)
    except (OSError, ValueError):
        pass
    worker.connection.close()
    worker.process.join(timeout=10)
    if worker.process.is_alive():  # pragma: no cover - a worker that does not stop
        worker.process.kill()
        worker.process.join()


def _death(process) -> str:
    process.join(timeout=10)
    code = process.exitcode
    return f"the worker process ended (exit code {code})" if code is not None and code >= 0 else f"the worker process was killed (signal {-code if code else '?'})"


# How often an idle worker looks whether the process that started it is still there.
PARENT_CHECK_SECONDS = 1.0


def _serve(connection, job: Callable, setup: Callable, setup_args: Sequence, memory_limit_mib: float | None,
           parent: int | None = None) -> None:  # pragma: no cover - runs in the worker
    """The worker's life: set up once, then one task after another until told to stop.

    Each reply is (the job's result, whether the worker retires after it). A worker whose
    parent is gone (killed: no `None` will ever come, and the pipe stays open in the
    other workers) exits instead of waiting for ever with its memory.
    """
    # A forked worker inherits the main process's SIGTERM handler, which raises to stop the
    # build cleanly there; here it would print a traceback. SIGTERM (to the process group:
    # timeout, systemd, CI cancelling) just ends the worker: the main process reports.
    # Ctrl-C is the main process's to handle: it finishes the tasks under way. Both were
    # blocked since the worker began (run_tasks): a signal that came meanwhile is delivered
    # now, to these handlers.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _WORKER_SIGNALS)
    _die_with_parent(parent)
    setup(*setup_args)
    before = resident_mib()
    done, largest_step = 0, 0.0
    while True:
        while not connection.poll(PARENT_CHECK_SECONDS):
            if parent is not None and os.getppid() != parent:
                return
        arguments = connection.recv()
        if arguments is None:
            break
        result = job(*arguments)
        now, peak = memory_mib()
        done += 1
        # What one more task may add: the most a task has raised the high-water mark above
        # the memory it began with (its peak inside the task, above what is left after it;
        # an earlier, higher mark only overstates it), leaving out the first task's, which
        # includes what the runtime allocates once.
        step = max(peak - before, 0.0)
        largest_step = step if done <= 2 else max(largest_step, step)
        before = now
        retiring = memory_limit_mib is not None and now + largest_step > memory_limit_mib
        connection.send((result, retiring))
        if retiring:
            break
    connection.close()


def _die_with_parent(parent: int | None) -> None:  # pragma: no cover - runs in the worker
    """On Linux, ask the kernel to end this process when its parent ends (even by SIGKILL),
    so that a worker never goes on building for a build that is gone."""
    if parent is None:
        return
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: the poll in _serve notices instead
        return
    if os.getppid() != parent:  # the parent ended before the request took effect
        os._exit(1)


def resident_mib() -> float:
    """This process's resident memory in MiB (Linux: VmRSS; elsewhere its peak so far)."""
    return memory_mib()[0]


def peak_mib() -> float:
    """The most resident memory this process has had, in MiB (its high-water mark)."""
    return memory_mib()[1]


def memory_mib() -> tuple[float, float]:
    """(resident memory now, its high-water mark) in MiB, from one read of /proc/self/status;
    elsewhere the peak so far for both."""
    found: dict[str, float] = {}
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    found[line[:5]] = int(line.split()[1]) / 1024
    except OSError:
        pass
    if len(found) == 2:
        return found["VmRSS"], found["VmHWM"]
    import resource
    import sys

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak = peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024
    return peak, peak
