/* schedviz._gilsampler: watches this interpreter's GIL from a thread of its own.
 *
 * A pure-Python sampler cannot see GIL hand-offs: it would need the GIL to look. This module
 * starts a pthread that never takes the GIL; every `period` it reads the interpreter's GIL
 * state (locked, last_holder, switch_number) and, when the holder changed, appends a record
 * to a ring buffer that Python drains. It sleeps between reads (clock_nanosleep with 1 ns
 * timer slack, SCHED_FIFO where permitted): busy-polling would distort the very hand-offs it
 * shows.
 *
 * Layout: CPython 3.11-3.13 all begin `struct _gil_runtime_state` with
 *     unsigned long interval; <pointer> last_holder; <int> locked; unsigned long switch_number;
 * (3.11 and 3.12 wrap the middle two in _Py_atomic_* structs of the same size). Only the
 * address of that struct needs the internal headers: `_PyRuntime.ceval.gil` on 3.11, the
 * interpreter's `ceval.gil` pointer on 3.12 and 3.13. `check()` lets Python confirm the layout
 * against the running interpreter before trusting a single sample.
 *
 * Rules kept: `take_gil` sets `locked` before `last_holder`, so the holder is re-read until two
 * reads agree; `drop_gil` leaves `last_holder` stale, so a holder counts only while locked == 1;
 * `switch_number` grows on every change of holder, so records carry it and Python can count
 * the switches a sample missed. Thread-state pointers are only compared, never dereferenced.
 */
#define PY_SSIZE_T_CLEAN
#ifndef Py_BUILD_CORE_MODULE
#define Py_BUILD_CORE_MODULE 1
#endif
#include <Python.h>

#if PY_VERSION_HEX < 0x030B0000 || PY_VERSION_HEX >= 0x030E0000
#error "schedviz._gilsampler supports CPython 3.11-3.13"
#endif
#ifdef Py_GIL_DISABLED
#error "a free-threaded build has no GIL to watch"
#endif

#if PY_VERSION_HEX < 0x030C0000
#include "internal/pycore_runtime.h"
#else
#include "internal/pycore_interp.h"
#endif

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

struct gil_head {
    unsigned long interval;
    void *volatile last_holder;
    volatile int locked;
    volatile unsigned long switch_number;
};

typedef struct {
    int64_t t;          /* CLOCK_MONOTONIC ns of the sample that saw the change */
    int64_t prev_t;     /* the sample before it: the change happened in (prev_t, t] */
    uint64_t holder;    /* thread state pointer, 0 when the GIL was free */
    uint64_t switches;  /* switch_number at t */
    int gap;            /* the sampler was late: (prev_t, t] is longer than it should be */
} record_t;

#define RING 65536

static struct gil_head *gil = NULL;
static pthread_t sampler;
static pthread_mutex_t ring_lock = PTHREAD_MUTEX_INITIALIZER;
static record_t ring[RING];
static size_t head = 0, count = 0;
static uint64_t lost = 0;
static volatile int running = 0;
static int64_t period_ns = 100000;
static int fifo = 0;

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void read_state(uint64_t *holder, uint64_t *switches) {
    /* take_gil writes locked before last_holder: read until two reads agree */
    for (int i = 0; i < 8; i++) {
        int locked = gil->locked;
        void *h1 = gil->last_holder;
        unsigned long s = gil->switch_number;
        void *h2 = gil->last_holder;
        if (h1 == h2 && locked == gil->locked) {
            *holder = locked == 1 ? (uint64_t)(uintptr_t)h1 : 0;
            *switches = s;
            return;
        }
    }
    *holder = gil->locked == 1 ? (uint64_t)(uintptr_t)gil->last_holder : 0;
    *switches = gil->switch_number;
}

static void push(int64_t t, int64_t prev_t, uint64_t holder, uint64_t switches, int gap) {
    pthread_mutex_lock(&ring_lock);
    if (count == RING) {
        lost++;  /* Python drains far more often than this fills; never block the sampler */
    } else {
        record_t *r = &ring[(head + count) % RING];
        r->t = t;
        r->prev_t = prev_t;
        r->holder = holder;
        r->switches = switches;
        r->gap = gap;
        count++;
    }
    pthread_mutex_unlock(&ring_lock);
}

/* -- thread states ------------------------------------------------------------------------
 * Read from /proc by this thread, which holds no GIL: a Python thread reading them would
 * itself release and retake the GIL around every read, waking the very waiters it looks at.
 * Codes: R on a CPU, G waiting for the GIL (futex inside the GIL's state), L waiting on another
 * lock, S sleeping, I waiting for I/O, D uninterruptible (disk), X something else.
 */
#define MAX_WATCHED 256
#define STATE_RING 65536
#define STATES_EVERY_NS 5000000LL

typedef struct {
    int64_t t;
    int tid;
    char code;
    long syscall;
} state_t;

static pthread_mutex_t watch_lock = PTHREAD_MUTEX_INITIALIZER;
static int watched[MAX_WATCHED];
static char watched_code[MAX_WATCHED];
static int nwatched = 0;
static state_t states[STATE_RING];
static size_t st_head = 0, st_count = 0;

static int read_small(const char *path, char *buf, size_t size) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return -1;
    }
    ssize_t n = read(fd, buf, size - 1);
    close(fd);
    if (n < 0) {
        return -1;
    }
    buf[n] = 0;
    return (int)n;
}

static int is_io_syscall(long nr) {
    switch (nr) {
    case SYS_read: case SYS_write: case SYS_readv: case SYS_writev: case SYS_pread64:
    case SYS_pwrite64: case SYS_recvfrom: case SYS_sendto: case SYS_recvmsg: case SYS_sendmsg:
    case SYS_accept4: case SYS_connect: case SYS_ppoll: case SYS_pselect6:
    case SYS_epoll_pwait:
#ifdef SYS_poll
    case SYS_poll:
#endif
#ifdef SYS_select
    case SYS_select:
#endif
#ifdef SYS_accept
    case SYS_accept:
#endif
#ifdef SYS_epoll_wait
    case SYS_epoll_wait:
#endif
        return 1;
    default:
        return 0;
    }
}

static char classify(int tid, long *syscall_out) {
    char path[64], buf[512];
    *syscall_out = -1;
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
    if (read_small(path, buf, sizeof buf) < 0) {
        return 0; /* gone */
    }
    char *close_paren = strrchr(buf, ')');
    char state = close_paren && close_paren[1] == ' ' ? close_paren[2] : '?';
    if (state == 'R') {
        return 'R';
    }
    snprintf(path, sizeof path, "/proc/self/task/%d/syscall", tid);
    if (read_small(path, buf, sizeof buf) < 0 || buf[0] == 'r') {
        return state == 'D' ? 'D' : 'X'; /* no rights to read it, or it just started running */
    }
    char *end;
    long nr = strtol(buf, &end, 10);
    *syscall_out = nr;
    if (nr == SYS_futex) {
        unsigned long long addr = strtoull(end, NULL, 16);
        uintptr_t base = (uintptr_t)gil;
        return addr >= base && addr < base + sizeof(struct _gil_runtime_state) ? 'G' : 'L';
    }
    if (nr == SYS_nanosleep || nr == SYS_clock_nanosleep) {
        return 'S';
    }
    if (is_io_syscall(nr)) {
        return 'I';
    }
    return state == 'D' ? 'D' : 'X';
}

static void sample_states(int64_t t) {
    pthread_mutex_lock(&watch_lock);
    for (int i = 0; i < nwatched; i++) {
        long nr;
        char code = classify(watched[i], &nr);
        if (code == 0 || code == watched_code[i]) {
            continue;
        }
        watched_code[i] = code;
        if (st_count < STATE_RING) {
            state_t *s = &states[(st_head + st_count) % STATE_RING];
            s->t = t;
            s->tid = watched[i];
            s->code = code;
            s->syscall = nr;
            st_count++;
        }
    }
    pthread_mutex_unlock(&watch_lock);
}

static void *sample_loop(void *arg) {
    (void)arg;
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
    struct sched_param sp = {.sched_priority = 1};
    fifo = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp) == 0;
    uint64_t holder, switches, last_holder = UINT64_MAX, last_switches = 0;
    int64_t prev_t = now_ns();
    int64_t next_states = prev_t;
    struct timespec pause = {.tv_sec = period_ns / 1000000000LL,
                             .tv_nsec = period_ns % 1000000000LL};
    while (running) {
        int64_t t = now_ns();
        read_state(&holder, &switches);
        int gap = (t - prev_t) > 4 * period_ns;
        if (holder != last_holder || switches != last_switches || gap) {
            push(t, prev_t, holder, switches, gap);
            last_holder = holder;
            last_switches = switches;
        }
        prev_t = t;
        if (t >= next_states) {
            sample_states(t);
            next_states = t + STATES_EVERY_NS;
        }
        clock_nanosleep(CLOCK_MONOTONIC, 0, &pause, NULL);
    }
    return NULL;
}

static void after_fork_child(void) {
    /* The sampler thread does not survive a fork: the child starts over. */
    running = 0;
    head = count = 0;
    lost = 0;
    pthread_mutex_init(&ring_lock, NULL);
    pthread_mutex_init(&watch_lock, NULL);
    nwatched = 0;
    st_head = st_count = 0;
}

static PyObject *find_gil(void) {
#if PY_VERSION_HEX < 0x030C0000
    gil = (struct gil_head *)&_PyRuntime.ceval.gil;
#else
    PyInterpreterState *interp = PyInterpreterState_Get();
    gil = (struct gil_head *)interp->ceval.gil;
#endif
    if (gil == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "this interpreter has no GIL state to watch");
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *py_check(PyObject *self, PyObject *args) {
    /* Called with the GIL held: it must read as locked, held by this very thread. */
    if (gil == NULL && find_gil() == NULL) {
        return NULL;
    }
    return Py_BuildValue("{s:k,s:i,s:O,s:k}", "interval_us", gil->interval, "locked",
                         gil->locked, "held_by_caller",
                         gil->last_holder == (void *)PyThreadState_Get() ? Py_True : Py_False,
                         "switch_number", gil->switch_number);
}

static PyObject *py_address(PyObject *self, PyObject *args) {
    /* Where the GIL lives: a thread blocked in futex() on an address inside it is waiting for
       the GIL (its condition variable and mutex are members). Only ever compared. */
    if (gil == NULL && find_gil() == NULL) {
        return NULL;
    }
    return Py_BuildValue("(KK)", (unsigned long long)(uintptr_t)gil,
                         (unsigned long long)sizeof(struct _gil_runtime_state));
}

static PyObject *py_tstate(PyObject *self, PyObject *args) {
    return PyLong_FromUnsignedLongLong((uint64_t)(uintptr_t)PyThreadState_Get());
}

static PyObject *py_start(PyObject *self, PyObject *args) {
    long long period;
    if (!PyArg_ParseTuple(args, "L", &period)) {
        return NULL;
    }
    if (period < 10000 || period > 100000000) {
        PyErr_SetString(PyExc_ValueError, "period must be 10 us to 100 ms (in ns)");
        return NULL;
    }
    if (running) {
        PyErr_SetString(PyExc_RuntimeError, "the GIL sampler is already running");
        return NULL;
    }
    if (gil == NULL && find_gil() == NULL) {
        return NULL;
    }
    period_ns = period;
    running = 1;
    int err = pthread_create(&sampler, NULL, sample_loop, NULL);
    if (err != 0) {
        running = 0;
        errno = err;
        return PyErr_SetFromErrno(PyExc_OSError);
    }
    Py_RETURN_NONE;
}

static PyObject *py_stop(PyObject *self, PyObject *args) {
    if (running) {
        running = 0;
        Py_BEGIN_ALLOW_THREADS
        pthread_join(sampler, NULL);
        Py_END_ALLOW_THREADS
    }
    Py_RETURN_NONE;
}

static PyObject *py_drain(PyObject *self, PyObject *args) {
    static record_t out[RING];
    size_t n;
    uint64_t lost_now;
    pthread_mutex_lock(&ring_lock);
    n = count;
    for (size_t i = 0; i < n; i++) {
        out[i] = ring[(head + i) % RING];
    }
    head = (head + n) % RING;
    count = 0;
    lost_now = lost;
    lost = 0;
    pthread_mutex_unlock(&ring_lock);
    PyObject *list = PyList_New((Py_ssize_t)n);
    if (list == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        PyObject *item = Py_BuildValue("(LLKKi)", (long long)out[i].t, (long long)out[i].prev_t,
                                       (unsigned long long)out[i].holder,
                                       (unsigned long long)out[i].switches, out[i].gap);
        if (item == NULL) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, item);
    }
    return Py_BuildValue("(NK)", list, (unsigned long long)lost_now);
}

/* Drop threads that are gone from the watch list (watch_lock held). */
static void prune_gone(void) {
    int kept = 0;
    char path[64];
    for (int i = 0; i < nwatched; i++) {
        snprintf(path, sizeof path, "/proc/self/task/%d", watched[i]);
        if (access(path, F_OK) == 0) {
            watched[kept] = watched[i];
            watched_code[kept] = watched_code[i];
            kept++;
        }
    }
    nwatched = kept;
}

static PyObject *py_watch(PyObject *self, PyObject *args) {
    int tid;
    if (!PyArg_ParseTuple(args, "i", &tid)) {
        return NULL;
    }
    pthread_mutex_lock(&watch_lock);
    int known = 0;
    for (int i = 0; i < nwatched; i++) {
        known |= watched[i] == tid;
    }
    if (!known && nwatched == MAX_WATCHED) {
        prune_gone(); /* full: make room from threads that have exited (live resizes) */
    }
    if (!known && nwatched < MAX_WATCHED) {
        watched[nwatched] = tid;
        watched_code[nwatched] = 0;
        nwatched++;
    }
    pthread_mutex_unlock(&watch_lock);
    Py_RETURN_NONE;
}

static PyObject *py_drain_states(PyObject *self, PyObject *args) {
    static state_t out[STATE_RING];
    size_t n;
    pthread_mutex_lock(&watch_lock);
    n = st_count;
    for (size_t i = 0; i < n; i++) {
        out[i] = states[(st_head + i) % STATE_RING];
    }
    st_head = (st_head + n) % STATE_RING;
    st_count = 0;
    prune_gone();
    pthread_mutex_unlock(&watch_lock);
    PyObject *list = PyList_New((Py_ssize_t)n);
    if (list == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        PyObject *item = Py_BuildValue("(Lici)", (long long)out[i].t, out[i].tid, out[i].code,
                                       (int)out[i].syscall);
        if (item == NULL) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, item);
    }
    return list;
}

static PyObject *py_info(PyObject *self, PyObject *args) {
    return Py_BuildValue("{s:O,s:L,s:O}", "running", running ? Py_True : Py_False, "period_ns",
                         (long long)period_ns, "fifo", fifo ? Py_True : Py_False);
}

static PyMethodDef methods[] = {
    {"check", py_check, METH_NOARGS, "GIL state as seen by the caller, to confirm the layout."},
    {"tstate", py_tstate, METH_NOARGS, "The calling thread's thread-state pointer, as an int."},
    {"address", py_address, METH_NOARGS, "(address, size) of the GIL's state in memory."},
    {"start", py_start, METH_VARARGS, "start(period_ns): start sampling on a pthread."},
    {"stop", py_stop, METH_NOARGS, "Stop sampling and join the sampler thread."},
    {"drain", py_drain, METH_NOARGS,
     "([(t, prev_t, holder, switch_number, gap), ...], lost): the changes since the last drain."},
    {"info", py_info, METH_NOARGS, "{running, period_ns, fifo}."},
    {"watch", py_watch, METH_VARARGS, "watch(tid): sample this thread's state from /proc."},
    {"drain_states", py_drain_states, METH_NOARGS,
     "[(t, tid, code, syscall), ...]: thread-state changes since the last drain."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_gilsampler",
    "Watches this interpreter's GIL from a thread that never takes it.", -1, methods,
};

PyMODINIT_FUNC PyInit__gilsampler(void) {
    pthread_atfork(NULL, NULL, after_fork_child);
    return PyModule_Create(&module);
}
