"""The Flask app (entity pages, SPARQL endpoint) arrives with the `kg serve` issue."""
