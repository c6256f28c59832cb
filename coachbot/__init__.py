"""coachbot: a career-coaching bot about the CTO role."""
