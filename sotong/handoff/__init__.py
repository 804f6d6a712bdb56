"""상담원 연결: the live handoff queue (requests, states, officer lines), Rasa-free."""
