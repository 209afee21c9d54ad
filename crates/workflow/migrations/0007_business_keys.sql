-- Instances started for another area's record (an application's case reference): one instance
-- per process and business key, so that a start delivered twice starts once, and messages find
-- their instance by the key.
CREATE TABLE workflow_business_keys (
    process_key TEXT NOT NULL,
    business_key TEXT NOT NULL,
    instance_id TEXT NOT NULL REFERENCES workflow_instances (id),
    PRIMARY KEY (process_key, business_key)
);
CREATE INDEX workflow_business_keys_instance ON workflow_business_keys (instance_id);
