# Root outputs. Each part of the system adds its own section below.
