// Placeholder: domain <-> proto for events and cases.
