"""The platform-neutral core of ncbot: events in, outbound messages out."""
