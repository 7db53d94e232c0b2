"""Core services: clients, projects, time, pricing, invoices, money, matching, reports."""
