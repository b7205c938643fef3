"""The JSON API: the same store calls and visibility rules as the pages."""
