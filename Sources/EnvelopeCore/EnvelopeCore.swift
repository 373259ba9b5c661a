// The EnvelopeCore module; see ../shared/DESIGN.md ("Modules").
