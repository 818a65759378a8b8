"""Domain events: the transactional outbox (``outbox.event_publish``), the subscriber registry
(``registry.event_subscribe``) and the dispatch and sweeper tasks. Foundation tier: imports only
``ecommerce.common``; every app may import it (docs/events.md, docs/background-jobs.md)."""
