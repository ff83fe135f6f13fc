"""The use cases, by part of the procedure; ``cases.services.ComplaintsDesk`` joins them."""
