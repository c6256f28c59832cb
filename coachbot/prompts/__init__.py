"""Daily learning prompts, the learner's side: tip selection, subscriptions, buttons, recaps.

The delivery engine (``coachbot.scheduling``) decides *when* and sends; this package
decides *what* (which tip, which recap) and handles what the learner does with it.
"""
