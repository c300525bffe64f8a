"""Answers from retrieved passages: prompts, the offline answerer, citation checks, chat."""
