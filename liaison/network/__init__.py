"""The network of homes and stations (the model; its pages are in ``stations``)."""
