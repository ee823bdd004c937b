"""The lab: the process that hosts a run's real pools, away from the web server's GIL.

Data flow for one run:

    web process                         lab process (python -m schedviz.lab --fd N)
    -----------                         -------------------------------------------
    LabSupervisor --start{config}-->    channel.recv ──> Driver(config)
                  --set{LiveChange}->     reader thread ──> Driver.apply / stop
                  --stop------------->
                                         Driver ── submit ──> InstrumentedThreadPoolExecutor
                                                                 │  worker threads record
                                                                 ▼  (kind, t, *fields) tuples
                                                              Recorder (bounded deque)
                                                                 │
                  <--events{batch}---    Flusher (every ~30 ms: drain, seq, encode)
                  <--done------------    after run_ended

Why a separate process: pool threads would otherwise contend with the web server's event loop
for one GIL, so the server would stutter exactly when the lesson is about the GIL. It also
isolates crashes: if the lab dies, the supervisor ends the run with an error event and the next
run gets a fresh lab. `schedviz run` uses the same Driver and Flusher in-process, headless.
"""
