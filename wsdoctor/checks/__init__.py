"""Built-in checks, one module each, registered through the `wsdoctor.checks` entry points."""
