"""The lab: a local Deepgram live-STT emulator with fault injection.

Tests use it as their server, `wsdoctor check --lab` runs every check against it,
and users run `wsdoctor lab serve --fault drop-on-close` to reproduce a failure
against their own client code.

Layout, from pure to I/O:
  events.py      the events a client causes and the actions a server takes (plain values)
  stream.py      one live stream as a sans-I/O state machine: handle(event, now) -> actions
  transcript.py  the audio timeline: Results, SpeechStarted, UtteranceEnd, Metadata
  clip.py        recognises wsdoctor's speech clip in a stream; Results then carry its words
  messages.py    Deepgram-shaped JSON bodies
  fault_hooks.py what a fault can bend (class Fault) and each fault as a subclass
  faults.py      the fault table (FAULTS), spec parsing, and the active faults combined
  config.py      LabConfig;  record.py: ClientRecord, what a client did on a connection (bounded)
  observe.py     ClientObserver: keeps a record from the client's events (the lab and the
                 audit relay share it);  sniff.py: what a first audio frame really is
  wire.py        the stream model on an aiohttp WebSocket, with an injectable clock
  throttle.py    the slow-uplink fault: reads the socket at a byte rate (TCP backpressure)
  endpoints.py   the handshake and REST routes (class Lab)
  admission.py   connection bound (503 past it) and rate-limited repeated log lines
  server.py      serving a Lab (or any app, `serving`), plain or TLS, with a header timeout
  inprocess.py, serve.py, thread.py: its callers (check --lab, lab serve, fixtures)
"""
