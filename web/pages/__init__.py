"""One module per page of the mirror."""
