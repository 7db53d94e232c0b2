"""Documents: invoice PDFs and payment QR codes."""
