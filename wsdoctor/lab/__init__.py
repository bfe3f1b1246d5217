"""The lab: a local Deepgram live-STT emulator with fault injection.

Tests use it as their server, `wsdoctor check --lab` runs every check against it,
and users run `wsdoctor lab serve --fault drop-on-close` to reproduce a failure
against their own client code.

Layout, from pure to I/O:
  actions.py     what the stream model decides (send, close, drop, pong, go silent): plain
                 values; the events that drive it are the client's (observe/events.py)
  stream.py      one live stream as a sans-I/O state machine: handle(event, now) -> actions
  transcript.py  the audio timeline: Results, SpeechStarted, UtteranceEnd, Metadata
  clip.py        recognises wsdoctor's speech clip in a stream; Results then carry its words
  messages.py    Deepgram-shaped JSON bodies (the protocol's facts are in deepgram/)
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
