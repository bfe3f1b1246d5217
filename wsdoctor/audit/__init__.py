"""`wsdoctor audit`: watch the user's own application talk to Deepgram (or the lab) and
judge how it handles the connection - the support article's first cause, which no
check of the network path can see."""
