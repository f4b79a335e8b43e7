"""Recognition service: pinning ceremonies, certificates and certificate PDFs for partner institutions."""
