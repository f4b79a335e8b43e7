"""What every domain's GraphQL code builds on: the context, loaders, ids, pages, payloads, errors."""
