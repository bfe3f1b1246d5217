"""The lab: a local Deepgram live-STT emulator with fault injection.

Tests use it as their server, `wsdoctor check --lab` runs every check against it,
and users run `wsdoctor lab serve --fault drop-on-close` to reproduce a failure
against their own client code.
"""
