// The EnvelopeLocalKMS module; see ../shared/DESIGN.md ("Modules").
