"""`wsdoctor merge`: one fleet view from JSON reports taken at many vantage points."""
