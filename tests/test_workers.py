"""tei_tools.workers: tasks run by worker processes, replaced when they die or pass a memory limit.

The jobs here are small Python functions (module level, so spawned workers can import
them); tests/test_parallel.py builds documents through the same workers.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time

import pytest

from tei_tools.workers import peak_mib, resident_mib, run_tasks

_ballast: list[bytes] = []  # memory a worker keeps, to make it pass a limit


def setup_nothing() -> None:
    pass


def square_with_pid(n: int) -> tuple[int, int]:
    return n * n, os.getpid()


def grow_then_square(n: int) -> tuple[int, int]:
    _ballast.append(os.urandom(32 * 1024 * 1024))  # 32 MiB more resident memory per task
    return n * n, os.getpid()


def spike_then_square(n: int) -> tuple[int, int, float]:
    """A task whose memory peaks inside it: 48 MiB used and freed, 16 MiB kept; with the
    worker's high-water mark after it."""
    spike = os.urandom(48 * 1024 * 1024)
    del spike
    _ballast.append(os.urandom(16 * 1024 * 1024))
    return n * n, os.getpid(), peak_mib()


def die_on_three(n: int) -> tuple[int, int]:
    if n == 3:
        os._exit(3)
    return n * n, os.getpid()


def signals_as_the_job_sees_them(n: int) -> tuple[bool, bool, bool]:
    """(SIGTERM blocked, SIGINT blocked, SIGTERM's handler the default) in a worker's job."""
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    return signal.SIGTERM in blocked, signal.SIGINT in blocked, signal.getsignal(signal.SIGTERM) == signal.SIG_DFL


class _MaskAtBirth:
    """A fork context whose workers write the signals blocked when they begin, before
    multiprocessing's start-up and the worker's own code run."""

    def __init__(self, folder):
        fork = multiprocessing.get_context("fork")
        self.Pipe = fork.Pipe

        class Process(fork.Process):
            def run(self):
                (folder / str(os.getpid())).write_text(
                    " ".join(sorted(s.name for s in signal.pthread_sigmask(signal.SIG_BLOCK, []))))
                super().run()

        self.Process = Process


def test_a_worker_begins_with_sigterm_and_sigint_blocked_until_its_handlers_are_set(tmp_path):
    """A SIGTERM to the process group that reaches a worker in its first moments must not
    meet the main process's handler (which raises, and multiprocessing prints the
    traceback): the worker is born with SIGTERM and SIGINT blocked, and unblocks them once
    SIGTERM ends it quietly and SIGINT is the main process's."""
    results, lost = {}, []
    run_tasks(list(range(4)), lambda n: (n,), job=signals_as_the_job_sees_them, setup=setup_nothing,
              setup_args=(), workers=2, context=_MaskAtBirth(tmp_path),
              on_result=lambda task, result: results.__setitem__(task, result), on_lost=lambda task, why: lost.append(why))
    births = [path.read_text().split() for path in tmp_path.iterdir()]
    assert births and all({"SIGTERM", "SIGINT"} <= set(names) for names in births)
    assert not lost and set(results.values()) == {(False, False, True)}
    assert signal.SIGTERM not in signal.pthread_sigmask(signal.SIG_BLOCK, [])  # the main process's mask restored


def run(job, tasks, *, workers=2, method="fork", memory_limit_mib=None, on_result=None):
    results, lost = {}, []

    def record(task, result):
        assert task not in results, "a task reported twice"
        results[task] = result
        if on_result is not None:
            on_result(task, result)

    def on_lost(task, why):
        lost.append((task, why))
        return None

    run_tasks(tasks, lambda n: (n,), job=job, setup=setup_nothing, setup_args=(), workers=workers,
              context=multiprocessing.get_context(method), on_result=record, on_lost=on_lost,
              memory_limit_mib=memory_limit_mib)
    return results, lost


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_every_task_runs_once_in_at_most_the_workers_asked_for(method):
    results, lost = run(square_with_pid, list(range(12)), method=method)
    assert {n: r[0] for n, r in results.items()} == {n: n * n for n in range(12)}
    assert not lost
    assert 1 <= len({pid for _, pid in results.values()}) <= 2
    assert os.getpid() not in {pid for _, pid in results.values()}


def test_a_worker_that_would_pass_the_memory_limit_is_replaced():
    # Fresh interpreters (spawn), whose size does not depend on this process: each task
    # adds 32 MiB, so a worker passes 150 MiB within a few tasks and is replaced.
    results, lost = run(grow_then_square, list(range(10)), method="spawn", memory_limit_mib=150)
    assert {n: r[0] for n, r in results.items()} == {n: n * n for n in range(10)}
    assert not lost
    pids = [pid for _, pid in results.values()]
    assert len(set(pids)) >= 4  # two workers that were never replaced would be two


def test_a_task_s_peak_inside_it_counts_towards_the_limit():
    """What a task uses and frees again (a page rendered, a zip made) is gone from the
    resident set once it is done, but the next task will need it too: a worker retires
    before that peak, not only before its lasting growth, would pass the limit."""
    limit = 150
    results, lost = run(spike_then_square, list(range(12)), method="spawn", memory_limit_mib=limit)
    assert {n: r[0] for n, r in results.items()} == {n: n * n for n in range(12)}
    assert not lost
    assert max(peak for _, _, peak in results.values()) <= limit


def test_the_memory_is_the_resident_set_of_this_process():
    before = resident_mib()
    ballast = os.urandom(64 * 1024 * 1024)
    assert resident_mib() - before >= 60
    del ballast


def test_without_a_limit_the_workers_are_kept():
    results, _ = run(grow_then_square, list(range(8)))
    assert len({pid for _, pid in results.values()}) <= 2


def test_a_worker_that_dies_loses_its_task_only_and_is_replaced():
    results, lost = run(die_on_three, list(range(8)))
    assert [task for task, _ in lost] == [3]
    assert "exit code 3" in lost[0][1]
    assert results[3] is None
    assert {n: r[0] for n, r in results.items() if n != 3} == {n: n * n for n in range(8) if n != 3}


def exit_soon_after_two(n: int) -> tuple[int, int]:
    if n == 2:  # the worker answers, then dies while waiting for its next task
        threading.Timer(0.05, os._exit, (5,)).start()
    return n * n, os.getpid()


def test_a_worker_that_dies_between_tasks_is_replaced_and_no_task_is_lost():
    def slow_after_two(task, result):
        if task == 2:
            time.sleep(0.5)  # the worker is gone before it is sent task 3

    results, lost = run(exit_soon_after_two, list(range(6)), workers=1, on_result=slow_after_two)
    assert not lost
    assert {n: r[0] for n, r in results.items()} == {n: n * n for n in range(6)}
    assert results[2][1] != results[3][1]  # task 3 went to the new worker


def failing_setup() -> None:
    os._exit(7)  # as a worker whose set-up cannot be done


def test_workers_whose_set_up_fails_lose_each_task_once_and_the_run_ends():
    results, lost = {}, []
    run_tasks([1, 2, 3], lambda n: (n,), job=square_with_pid, setup=failing_setup, setup_args=(), workers=2,
              context=multiprocessing.get_context("fork"), on_result=results.__setitem__,
              on_lost=lambda task, why: lost.append(task))
    assert sorted(lost) == [1, 2, 3] and sorted(results) == [1, 2, 3]
    assert not multiprocessing.active_children()


def test_an_error_here_finishes_the_tasks_under_way_and_leaves_no_worker():
    seen = []

    def stop_after_first(task, result):
        seen.append(task)
        if len(seen) == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run(square_with_pid, list(range(20)), on_result=stop_after_first)
    assert 1 <= len(seen) <= 2  # the first result, and the other worker's task under way
    assert not multiprocessing.active_children()


# ----------------------------------------------------------------------------- a build whose main process is killed


def _children(pid: int) -> list[int]:
    path = f"/proc/{pid}/task/{pid}/children"
    try:
        with open(path, encoding="ascii") as handle:
            return [int(p) for p in handle.read().split()]
    except OSError:
        return []


def _alive(pid: int) -> bool:
    """Running, not a zombie (in a container nobody may reap an orphan that has ended)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _started_build(tmp_path, copies: int = 16, own_group: bool = False):
    """A `tei-tools build --jobs 2` of several copies of the article, with its workers running."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    article = Path(__file__).resolve().parent.parent / "edition" / "mopr-1922-1924.xml"
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for n in range(copies):
        shutil.copy(article, corpus / f"copy-{n}.xml")
    process = subprocess.Popen([sys.executable, "-m", "tei_tools", "build", "--jobs", "2", "--out", str(tmp_path / "out"), str(corpus)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=own_group)
    deadline = time.monotonic() + 30
    while len(_children(process.pid)) < 2 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.02)
    workers = _children(process.pid)
    if len(workers) < 2:
        process.kill()
        ended = process.poll() is not None
        pytest.fail("the build ended before its workers could be seen" if ended else "no worker started within 30 s")
    return process, workers


@pytest.mark.skipif(not os.path.exists("/proc/self/task"), reason="needs Linux's /proc to find the worker processes")
@pytest.mark.parametrize("signal_name", ["SIGKILL", "SIGTERM"])
def test_workers_end_when_the_build_that_started_them_is_killed(tmp_path, signal_name):
    import signal

    process, workers = _started_build(tmp_path)
    os.kill(process.pid, getattr(signal, signal_name))
    process.wait(timeout=60)
    deadline = time.monotonic() + 15
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [w for w in workers if _alive(w)], "workers outlived the build"
    if signal_name == "SIGTERM":  # taken like Ctrl-C: one line, the conventional status
        assert process.returncode == 143
        assert "interrupted (SIGTERM)" in process.stderr.read()


@pytest.mark.skipif(not os.path.exists("/proc/self/task"), reason="needs Linux's /proc to find the worker processes")
def test_sigterm_to_the_whole_process_group_ends_the_build_in_one_line(tmp_path):
    """timeout, systemd and CI cancelling signal the process group: the workers, which
    inherit the main process's handler when forked, must end without a traceback."""
    import signal

    process, workers = _started_build(tmp_path, own_group=True)
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=60)
    stderr = process.stderr.read()
    assert process.returncode == 143
    assert "Traceback" not in stderr and "interrupted (SIGTERM)" in stderr
