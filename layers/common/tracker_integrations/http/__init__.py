"""One httpx setup: timeouts, retries with backoff and Retry-After, errors classified as data."""
