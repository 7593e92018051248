"""Start pages and worklists: what each person does today. Depends on everything below it."""
