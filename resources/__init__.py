"""Resources: stage-based resource packs, the support directory and pack deliveries."""
