"""fedlearn_app: the course's Flower app, a heart-failure readmission model trained federated."""
