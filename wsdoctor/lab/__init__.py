"""The lab: a local Deepgram live-STT emulator with fault injection.

Tests use it as their server, `wsdoctor check --lab` runs every check against it,
and users run `wsdoctor lab serve --fault drop-on-close` to reproduce a failure
against their own client code.

Layout, from pure to I/O:
  actions.py     what a stream model decides (send, close, echo, drop, pong, go silent): plain
                 values; the events that drive it are the client's (observe/events.py)
  model.py       one live stream as a sans-I/O state machine: handle(event, now) -> actions;
                 the base both APIs share (phases, fault timers, idle window, endings)
  stream.py      /v1/listen's model (LiveStream); flux.py: Flux's (FluxStream, /v2/listen)
  timeline.py    what a stream has heard in audio time (decoding, counting), shared
  transcript.py  v1's timeline: Results, SpeechStarted, UtteranceEnd, Metadata
  turns.py       Flux's timeline: turns, TurnInfo events, end-of-turn confidence
  clip.py        recognises wsdoctor's speech clip in a stream; transcripts carry its words
  messages.py    v1-shaped JSON bodies; flux_messages.py: Flux's (facts are in deepgram/)
  faults/        the fault table (FAULTS), spec parsing and the active faults combined
                 (__init__.py); what a fault can bend (class Fault) and each fault (kinds.py)
  config.py      LabConfig
  wire.py        the stream model on an aiohttp WebSocket, with an injectable clock
  throttle.py    the slow-uplink fault: reads the socket at a byte rate (TCP backpressure)
  endpoints.py   the handshake and REST routes (class Lab)
  admission.py   connection bound (503 past it) and rate-limited repeated log lines
  server.py      serving a Lab (or any app, `serving`), plain or TLS, with a header timeout
  inprocess.py, serve.py, thread.py: its callers (check --lab, lab serve, fixtures)

What the client did is kept by observe/ (ClientRecord, ClientObserver), which the audit
reads too.
"""
