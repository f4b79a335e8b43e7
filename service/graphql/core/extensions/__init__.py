"""Schema extensions: errors as clients see them (masking), operation limits, metrics and logs."""
