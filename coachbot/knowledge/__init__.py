"""The CTO knowledge base: content files loaded into typed, validated models."""
