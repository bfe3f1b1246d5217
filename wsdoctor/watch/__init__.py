"""`wsdoctor watch`: long runs that catch the drops a ten-second check window misses."""
