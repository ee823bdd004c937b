/* schedviz._aiostep: the asyncio step timer's hot path in C.
 *
 * The same object as schedviz.instrument.aio.StepTimer (which stays the reference and the
 * fallback): it wraps a task's coroutine; each send() is one step of the task. After a step
 * that yielded it finds the yield site (the innermost frame of user code in the cr_await
 * chain), what the step awaits, and appends one `aio_step` tuple to the run's recorder.
 * Everything rare (a task's end, a slow step, a throw, a named queue or lock) is handed to
 * the Python Instrument, so the two implementations cannot drift apart in what they record.
 *
 * Only the public C API is used (PyIter_Send, PyFrame_GetCode, PyFrame_GetLineNumber,
 * attribute access by name), so it builds unchanged for CPython 3.11, 3.12 and 3.13. The
 * Task drives it through the am_send slot, as it drives a native coroutine.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <frameobject.h>
#include <structmember.h>
#include <time.h>

/* -- set by configure() ------------------------------------------------------------------ */
static PyObject *is_user_code = NULL; /* callable(code) -> bool */
static PyObject *sync_codes = NULL;   /* set of code objects: Queue.get, Lock.acquire, ... */
static PyObject *sleep_code = NULL;   /* asyncio.sleep.__code__ */
static PyObject *throw_step = NULL;   /* callable(timer, args) -> the Python throw() */

/* interned names */
static PyObject *s_step_t0, *s_current, *s_cr_frame, *s_cr_await, *s_gi_frame,
    *s_gi_yieldfrom, *s_offload_at, *s_delay_at, *s_delay, *s_slow_ns, *s_queues, *s_ended,
    *s_slow, *s_sizes, *s_sync_what, *s_offload_what, *s_aio_step, *s_yield, *s_bare,
    *s_sleep, *s_get_name, *s_dropped;

static PyObject *s_done, *s_coro_await, *s_cr_code, *s_gi_code;

/* The raised exception as one object (3.12's API; the three-part form before). */
static PyObject *fetch_exc(void) {
#if PY_VERSION_HEX >= 0x030C0000
    return PyErr_GetRaisedException();
#else
    PyObject *t, *v, *tb;
    PyErr_Fetch(&t, &v, &tb);
    PyErr_NormalizeException(&t, &v, &tb);
    if (tb != NULL && v != NULL) {
        PyException_SetTraceback(v, tb);
    }
    Py_XDECREF(t);
    Py_XDECREF(tb);
    return v;
#endif
}

static void restore_exc(PyObject *v) {
#if PY_VERSION_HEX >= 0x030C0000
    PyErr_SetRaisedException(v);
#else
    PyErr_Restore(Py_NewRef((PyObject *)Py_TYPE(v)), v, PyException_GetTraceback(v));
#endif
}

/* steps run since the last stepped() call: the tasks a loop iteration found ready */
static Py_ssize_t steps_since = 0;

static inline int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

typedef struct {
    PyObject_HEAD
    PyObject *coro;
    PyObject *task_id;
    PyObject *inst;
    PyObject *buf;      /* the recorder's deque */
    PyObject *append;   /* its bound append */
    PyObject *rec;      /* the recorder (for `dropped`) */
    Py_ssize_t capacity;
    Py_ssize_t steps;
    PyObject *blocked_at;
    PyObject *task;
} StepTimer;

static int st_traverse(StepTimer *self, visitproc visit, void *arg) {
    Py_VISIT(self->coro);
    Py_VISIT(self->task_id);
    Py_VISIT(self->inst);
    Py_VISIT(self->buf);
    Py_VISIT(self->append);
    Py_VISIT(self->rec);
    Py_VISIT(self->blocked_at);
    Py_VISIT(self->task);
    return 0;
}

static int st_clear(StepTimer *self) {
    Py_CLEAR(self->coro);
    Py_CLEAR(self->task_id);
    Py_CLEAR(self->inst);
    Py_CLEAR(self->buf);
    Py_CLEAR(self->append);
    Py_CLEAR(self->rec);
    Py_CLEAR(self->blocked_at);
    Py_CLEAR(self->task);
    return 0;
}

static void st_dealloc(StepTimer *self) {
    PyObject_GC_UnTrack(self);
    st_clear(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* StepTimer(coro, task_id, inst, recorder, capacity) */
static int st_init(StepTimer *self, PyObject *args, PyObject *kwds) {
    PyObject *coro, *task_id, *inst, *rec;
    Py_ssize_t capacity;
    if (!PyArg_ParseTuple(args, "OOOOn", &coro, &task_id, &inst, &rec, &capacity)) {
        return -1;
    }
    PyObject *buf = PyObject_GetAttrString(rec, "_buf");
    if (buf == NULL) {
        return -1;
    }
    PyObject *append = PyObject_GetAttrString(buf, "append");
    if (append == NULL) {
        Py_DECREF(buf);
        return -1;
    }
    Py_XSETREF(self->coro, Py_NewRef(coro));
    Py_XSETREF(self->task_id, Py_NewRef(task_id));
    Py_XSETREF(self->inst, Py_NewRef(inst));
    Py_XSETREF(self->rec, Py_NewRef(rec));
    Py_XSETREF(self->buf, buf);
    Py_XSETREF(self->append, append);
    Py_XSETREF(self->blocked_at, Py_NewRef(Py_None));
    Py_XSETREF(self->task, Py_NewRef(Py_None));
    self->capacity = capacity;
    self->steps = 0;
    return 0;
}

/* What we know of a code object: user code, a sync wait (Queue.get, ...), asyncio.sleep.
 * Keyed by address in a small table that holds a reference to each key (so an address is never
 * reused while it is in the table): hashing a code object hashes its bytecode and constants
 * every time, which cost more than the rest of a step together. */
#define F_USER 1
#define F_SYNC 2
#define F_SLEEP 4
#define CACHE_SIZE 4096
#define CACHE_PROBES 16
static PyObject *cache_keys[CACHE_SIZE];
static int cache_vals[CACHE_SIZE];

static int code_flags_uncached(PyObject *code) {
    PyObject *r = PyObject_CallOneArg(is_user_code, code);
    if (r == NULL) {
        return -1;
    }
    int user = PyObject_IsTrue(r);
    Py_DECREF(r);
    int sync = PySet_Contains(sync_codes, code);
    if (user < 0 || sync < 0) {
        return -1;
    }
    return (user ? F_USER : 0) | (sync ? F_SYNC : 0) | (code == sleep_code ? F_SLEEP : 0);
}

static int code_flags(PyObject *code) {
    size_t h = ((uintptr_t)code >> 4) & (CACHE_SIZE - 1);
    for (int i = 0; i < CACHE_PROBES; i++, h = (h + 1) & (CACHE_SIZE - 1)) {
        if (cache_keys[h] == code) {
            return cache_vals[h];
        }
        if (cache_keys[h] == NULL) {
            int flags = code_flags_uncached(code);
            if (flags >= 0) {
                cache_keys[h] = Py_NewRef(code);
                cache_vals[h] = flags;
            }
            return flags;
        }
    }
    return code_flags_uncached(code); /* crowded: ask every time, still right */
}

static int64_t attr_i64(PyObject *obj, PyObject *name) {
    PyObject *v = PyObject_GetAttr(obj, name);
    if (v == NULL) {
        return -1;
    }
    int64_t x = PyLong_AsLongLong(v);
    Py_DECREF(v);
    return x;
}

/* After a step that yielded: find the site, record the step, hand rare cases to Python. */
static int after_yield(StepTimer *self, int64_t t0) {
    int64_t t1 = now_ns();
    PyObject *inst = self->inst;
    PyObject *frame = NULL, *aw = NULL, *lib = NULL, *sync = NULL, *leaf = NULL;
    PyObject *user = NULL, *user_aw = NULL, *what = NULL, *waits_on = NULL, *item = NULL, *file = NULL;
    PyObject *t0o = NULL, *duro = NULL, *lineo = NULL;
    int ok = -1, lib_flags = 0;

    if (PyObject_SetAttr(inst, s_current, Py_None) < 0) {
        return -1;
    }
    frame = PyObject_GetAttr(self->coro, s_cr_frame);
    if (frame == NULL) {
        return -1;
    }
    if (frame == Py_None) { /* not a native coroutine's frame: record no site */
        Py_DECREF(frame);
        return 0;
    }
    user = Py_NewRef(frame);
    user_aw = Py_NewRef(self->coro);
    aw = PyObject_GetAttr(self->coro, s_cr_await);
    if (aw == NULL) {
        goto done;
    }
    /* Walk the chain by code objects (cr_code, gi_code): asking for a frame object makes one,
     * and asyncio.sleep makes a new coroutine and generator every call. Only the yield site's
     * frame (usually the task's own, made once) and a sync wait's frame are asked for. */
    while (aw != Py_None) {
        PyObject *code, *next;
        int is_coro = PyCoro_CheckExact(aw);
        if (is_coro || PyGen_CheckExact(aw)) {
            code = PyObject_GetAttr(aw, is_coro ? s_cr_code : s_gi_code);
            next = code ? PyObject_GetAttr(aw, is_coro ? s_cr_await : s_gi_yieldfrom) : NULL;
        } else {
            leaf = aw;
            aw = NULL;
            break;
        }
        if (next == NULL) {
            Py_XDECREF(code);
            goto done;
        }
        int flags = code_flags(code);
        if (flags < 0) {
            Py_DECREF(code);
            Py_DECREF(next);
            goto done;
        }
        if (lib == NULL) {
            if (flags & F_USER) {
                Py_SETREF(user_aw, Py_NewRef(aw));
            } else {
                lib = Py_NewRef(code);
                lib_flags = flags;
            }
        }
        if (sync == NULL && (flags & F_SYNC)) {
            sync = Py_NewRef(aw);
        }
        Py_DECREF(code);
        Py_SETREF(aw, next);
    }
    if (user_aw != self->coro) { /* the yield site is in a coroutine the task awaits */
        PyObject *f = PyObject_GetAttr(user_aw, PyCoro_CheckExact(user_aw) ? s_cr_frame
                                                                           : s_gi_frame);
        if (f == NULL) {
            goto done;
        }
        if (f == Py_None) {
            Py_DECREF(f);
        } else {
            Py_SETREF(user, f);
        }
    }
    if (sync != NULL) { /* its frame, for the object waited on */
        PyObject *f = PyObject_GetAttr(sync, PyCoro_CheckExact(sync) ? s_cr_frame
                                                                     : s_gi_frame);
        if (f == NULL) {
            goto done;
        }
        Py_SETREF(sync, f);
        if (sync == Py_None) {
            Py_CLEAR(sync);
        }
    }

    int64_t offload_at = attr_i64(inst, s_offload_at);
    if (offload_at == -1 && PyErr_Occurred()) {
        goto done;
    }
    if (offload_at == t0 && leaf != NULL) {
        what = PyObject_CallMethodNoArgs(inst, s_offload_what);
    } else if (sync != NULL) {
        PyObject *pair = PyObject_CallMethodOneArg(inst, s_sync_what, sync);
        if (pair == NULL || !PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2) {
            Py_XDECREF(pair);
            goto done;
        }
        what = Py_NewRef(PyTuple_GET_ITEM(pair, 0));
        waits_on = Py_NewRef(PyTuple_GET_ITEM(pair, 1));
        Py_DECREF(pair);
    } else if (lib != NULL) {
        PyObject *code = Py_NewRef(lib);
        if (lib_flags & F_SLEEP) {
            int64_t delay_at = attr_i64(inst, s_delay_at);
            if (delay_at == -1 && PyErr_Occurred()) {
                Py_DECREF(code);
                goto done;
            }
            PyObject *delay = delay_at == t0 ? PyObject_GetAttr(inst, s_delay)
                                             : PyLong_FromLong(0);
            what = delay ? PyTuple_Pack(2, s_sleep, delay) : NULL;
            Py_XDECREF(delay);
            Py_DECREF(code);
        } else {
            what = code;
        }
    } else if (leaf != NULL) {
        what = Py_NewRef((PyObject *)Py_TYPE(leaf));
    } else {
        what = Py_NewRef(s_bare);
    }
    if (what == NULL) {
        goto done;
    }
    if (waits_on == NULL) {
        waits_on = Py_NewRef(Py_None);
    }

    PyCodeObject *ucode = PyFrame_GetCode((PyFrameObject *)user);
    file = Py_NewRef(ucode->co_filename);
    Py_DECREF(ucode);
    int line = PyFrame_GetLineNumber((PyFrameObject *)user);
    int64_t dur = t1 - t0;
    t0o = PyLong_FromLongLong(t0);
    duro = PyLong_FromLongLong(dur);
    lineo = PyLong_FromLong(line);
    if (t0o == NULL || duro == NULL || lineo == NULL) {
        goto done;
    }
    Py_ssize_t len = PyObject_Size(self->buf);
    if (len < 0) {
        goto done;
    }
    if (len < self->capacity) {
        item = PyTuple_Pack(9, s_aio_step, t0o, self->task_id, duro, file, lineo, what,
                            waits_on, s_yield);
        if (item == NULL) {
            goto done;
        }
        /* Holds only ints, strings, None and a code object, type or small tuple: never part
         * of a cycle, so the collector need not walk the recorder's buffer of them. */
        PyObject_GC_UnTrack(item);
        PyObject *r = PyObject_CallOneArg(self->append, item);
        if (r == NULL) {
            goto done;
        }
        Py_DECREF(r);
    } else {
        PyObject *d = PyObject_GetAttr(self->rec, s_dropped);
        if (d == NULL) {
            goto done;
        }
        PyObject *one = PyLong_FromLong(1);
        PyObject *d1 = one ? PyNumber_Add(d, one) : NULL;
        Py_XDECREF(one);
        Py_DECREF(d);
        if (d1 == NULL || PyObject_SetAttr(self->rec, s_dropped, d1) < 0) {
            Py_XDECREF(d1);
            goto done;
        }
        Py_DECREF(d1);
    }
    self->steps++;

    int64_t slow_ns = attr_i64(inst, s_slow_ns);
    if (slow_ns == -1 && PyErr_Occurred()) {
        goto done;
    }
    if (dur > slow_ns) {
        PyObject *r = PyObject_CallMethodObjArgs(inst, s_slow, (PyObject *)self, t0o, duro,
                                                 file, lineo, NULL);
        if (r == NULL) {
            goto done;
        }
        Py_DECREF(r);
    }
    PyObject *queues = PyObject_GetAttr(inst, s_queues);
    if (queues == NULL) {
        goto done;
    }
    int any = PyObject_IsTrue(queues);
    Py_DECREF(queues);
    if (any < 0) {
        goto done;
    }
    if (any) {
        PyObject *t1o = PyLong_FromLongLong(t1);
        PyObject *r = t1o ? PyObject_CallMethodOneArg(inst, s_sizes, t1o) : NULL;
        Py_XDECREF(t1o);
        if (r == NULL) {
            goto done;
        }
        Py_DECREF(r);
    }
    ok = 0;
done:
    Py_XDECREF(frame);
    Py_XDECREF(user);
    Py_XDECREF(user_aw);
    Py_XDECREF(aw);
    Py_XDECREF(lib);
    Py_XDECREF(sync);
    Py_XDECREF(leaf);
    Py_XDECREF(what);
    Py_XDECREF(waits_on);
    Py_XDECREF(item);
    Py_XDECREF(file);
    Py_XDECREF(t0o);
    Py_XDECREF(duro);
    Py_XDECREF(lineo);
    return ok;
}

/* The task ended in this step: Python records it (inst.ended(timer, t0, outcome, exc)). */
static int ended(StepTimer *self, int64_t t0, PyObject *outcome, PyObject *exc) {
    PyObject *t0o = PyLong_FromLongLong(t0);
    if (t0o == NULL) {
        return -1;
    }
    PyObject *r = PyObject_CallMethodObjArgs(self->inst, s_ended, (PyObject *)self, t0o,
                                             outcome, exc ? exc : Py_None, NULL);
    Py_DECREF(t0o);
    if (r == NULL) {
        return -1;
    }
    Py_DECREF(r);
    return 0;
}

static PySendResult st_am_send(PyObject *op, PyObject *value, PyObject **result) {
    StepTimer *self = (StepTimer *)op;
    int64_t t0 = now_ns();
    PyObject *t0o = PyLong_FromLongLong(t0);
    if (t0o == NULL) {
        *result = NULL;
        return PYGEN_ERROR;
    }
    int bad = PyObject_SetAttr(self->inst, s_step_t0, t0o) < 0 ||
              PyObject_SetAttr(self->inst, s_current, op) < 0;
    Py_DECREF(t0o);
    if (bad) {
        *result = NULL;
        return PYGEN_ERROR;
    }
    steps_since++;
    PySendResult r = PyIter_Send(self->coro, value, result);
    if (r == PYGEN_NEXT) {
        if (after_yield(self, t0) < 0) {
            Py_CLEAR(*result);
            return PYGEN_ERROR;
        }
        return r;
    }
    if (r == PYGEN_RETURN) {
        if (ended(self, t0, s_done, NULL) < 0) {
            Py_CLEAR(*result);
            return PYGEN_ERROR;
        }
        return r;
    }
    /* PYGEN_ERROR: let Python classify it (cancelled or error), then re-raise it. */
    *result = NULL;
    PyObject *exc = fetch_exc();
    if (exc == NULL) {
        PyErr_SetString(PyExc_SystemError, "a coroutine step failed without an exception");
        return PYGEN_ERROR;
    }
    if (ended(self, t0, Py_None, exc) < 0) {
        Py_DECREF(exc);
        return PYGEN_ERROR;
    }
    restore_exc(exc);
    return PYGEN_ERROR;
}

/* send(value): the same step, as a method (StopIteration carries a return value). */
static PyObject *st_send(PyObject *op, PyObject *value) {
    PyObject *result;
    PySendResult r = st_am_send(op, value, &result);
    if (r == PYGEN_NEXT) {
        return result;
    }
    if (r == PYGEN_RETURN) {
        if (result == Py_None) {
            PyErr_SetNone(PyExc_StopIteration);
        } else {
            PyObject *e = PyObject_CallOneArg(PyExc_StopIteration, result);
            if (e != NULL) {
                PyErr_SetObject(PyExc_StopIteration, e);
                Py_DECREF(e);
            }
        }
        Py_DECREF(result);
    }
    return NULL;
}

/* throw(...): rare (cancellation); the Python StepTimer's logic does it. */
static PyObject *st_throw(PyObject *op, PyObject *args) {
    return PyObject_CallFunctionObjArgs(throw_step, op, args, NULL);
}

static PyObject *st_close(StepTimer *self, PyObject *unused) {
    return PyObject_CallMethod(self->coro, "close", NULL);
}

static PyObject *st_await(StepTimer *self, PyObject *unused) {
    return PyObject_CallMethodNoArgs(self->coro, s_coro_await);
}

static PyObject *st_get_coro_attr(StepTimer *self, void *name) {
    return PyObject_GetAttrString(self->coro, (const char *)name);
}

static PyObject *st_get_name(StepTimer *self, void *unused) {
    if (self->task != Py_None) {
        return PyObject_CallMethodNoArgs(self->task, s_get_name);
    }
    return PyUnicode_FromFormat("task %S", self->task_id);
}

static PyObject *st_repr(StepTimer *self) {
    return PyObject_Repr(self->coro);
}

static PyMethodDef st_methods[] = {
    {"send", (PyCFunction)st_send, METH_O, "Run one step of the task."},
    {"throw", (PyCFunction)st_throw, METH_VARARGS, "Throw into the coroutine (one step)."},
    {"close", (PyCFunction)st_close, METH_NOARGS, "Close the coroutine."},
    {"__await__", (PyCFunction)st_await, METH_NOARGS, "The coroutine's __await__()."},
    {NULL},
};

static PyMemberDef st_members[] = {
    {"coro", T_OBJECT, offsetof(StepTimer, coro), READONLY, "the wrapped coroutine"},
    {"task_id", T_OBJECT, offsetof(StepTimer, task_id), READONLY, "the task's id in the run"},
    {"steps", T_PYSSIZET, offsetof(StepTimer, steps), 0, "steps run so far"},
    {"blocked_at", T_OBJECT, offsetof(StepTimer, blocked_at), 0, "(file, line) or None"},
    {"task", T_OBJECT, offsetof(StepTimer, task), 0, "the asyncio Task"},
    {"_inst", T_OBJECT, offsetof(StepTimer, inst), READONLY, "the Instrument"},
    {NULL},
};

static PyGetSetDef st_getset[] = {
    {"cr_frame", (getter)st_get_coro_attr, NULL, NULL, "cr_frame"},
    {"cr_await", (getter)st_get_coro_attr, NULL, NULL, "cr_await"},
    {"cr_running", (getter)st_get_coro_attr, NULL, NULL, "cr_running"},
    {"cr_code", (getter)st_get_coro_attr, NULL, NULL, "cr_code"},
    {"name", (getter)st_get_name, NULL, "the task's name", NULL},
    {NULL},
};

static PyAsyncMethods st_async = {
    .am_send = st_am_send,
};

static PyTypeObject StepTimerType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "schedviz._aiostep.StepTimer",
    .tp_basicsize = sizeof(StepTimer),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "A task's coroutine, timed: each send is one step of the task.",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)st_init,
    .tp_dealloc = (destructor)st_dealloc,
    .tp_traverse = (traverseproc)st_traverse,
    .tp_clear = (inquiry)st_clear,
    .tp_methods = st_methods,
    .tp_members = st_members,
    .tp_getset = st_getset,
    .tp_as_async = &st_async,
    .tp_repr = (reprfunc)st_repr,
};

/* configure(is_user_code, sync_codes, sleep_code, throw_step) */
static PyObject *configure(PyObject *mod, PyObject *args) {
    PyObject *b, *c, *d, *e;
    if (!PyArg_ParseTuple(args, "OO!OO", &b, &PySet_Type, &c, &d, &e)) {
        return NULL;
    }
    Py_XSETREF(is_user_code, Py_NewRef(b));
    Py_XSETREF(sync_codes, Py_NewRef(c));
    Py_XSETREF(sleep_code, Py_NewRef(d));
    Py_XSETREF(throw_step, Py_NewRef(e));
    Py_RETURN_NONE;
}

static PyObject *stepped(PyObject *mod, PyObject *unused) {
    Py_ssize_t n = steps_since;
    steps_since = 0;
    return PyLong_FromSsize_t(n);
}

static PyMethodDef module_methods[] = {
    {"stepped", stepped, METH_NOARGS, "Steps run (by any timer) since the last call."},
    {"configure", configure, METH_VARARGS,
     "configure(is_user_code, sync_codes, sleep_code, throw_step)"},
    {NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "_aiostep", "The asyncio step timer's hot path.", -1,
    module_methods,
};

#define INTERN(var, text)                                                                     \
    if ((var = PyUnicode_InternFromString(text)) == NULL) {                                  \
        return NULL;                                                                          \
    }

PyMODINIT_FUNC PyInit__aiostep(void) {
    INTERN(s_step_t0, "step_t0");
    INTERN(s_current, "current");
    INTERN(s_cr_frame, "cr_frame");
    INTERN(s_cr_await, "cr_await");
    INTERN(s_gi_frame, "gi_frame");
    INTERN(s_gi_yieldfrom, "gi_yieldfrom");
    INTERN(s_offload_at, "offload_at");
    INTERN(s_delay_at, "delay_at");
    INTERN(s_delay, "delay");
    INTERN(s_slow_ns, "slow_ns");
    INTERN(s_queues, "queues");
    INTERN(s_ended, "ended");
    INTERN(s_slow, "_slow");
    INTERN(s_sizes, "_queue_sizes_changed");
    INTERN(s_sync_what, "sync_what");
    INTERN(s_offload_what, "offload_what");
    INTERN(s_aio_step, "aio_step");
    INTERN(s_yield, "yield");
    INTERN(s_bare, "the loop (a bare yield)");
    INTERN(s_sleep, "sleep");
    INTERN(s_get_name, "get_name");
    INTERN(s_dropped, "dropped");
    INTERN(s_done, "done");
    INTERN(s_cr_code, "cr_code");
    INTERN(s_gi_code, "gi_code");
    INTERN(s_coro_await, "__await__");
    if (PyType_Ready(&StepTimerType) < 0) {
        return NULL;
    }
    PyObject *m = PyModule_Create(&module_def);
    if (m == NULL) {
        return NULL;
    }
    if (PyModule_AddObjectRef(m, "StepTimer", (PyObject *)&StepTimerType) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
