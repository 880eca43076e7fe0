// Live checks start brokers and replicas: far more than jest's 5 s default.
jest.setTimeout(180_000);
