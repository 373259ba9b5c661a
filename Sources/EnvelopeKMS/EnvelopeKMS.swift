// The EnvelopeKMS module; see ../shared/DESIGN.md ("Modules").
