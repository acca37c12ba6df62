-- Seed 002's nodes table (unchanged: SQLite, MariaDB/MySQL and PostgreSQL all read it) and three tenants.
CREATE TABLE nodes (
  node_id          VARCHAR(63)  PRIMARY KEY,
  is_active        BOOLEAN      DEFAULT TRUE,

  -- Per-tier replica counts
  web_replicas     INT          DEFAULT 2,
  api_replicas     INT          DEFAULT 3,
  worker_replicas  INT          DEFAULT 2,

  -- Database tier sizing (pre-computed by application layer or DB view)
  db_cpu_request   VARCHAR(10)  DEFAULT '500m',   -- '500m' | '1000m' | '2000m'
  db_memory_request VARCHAR(10) DEFAULT '1Gi',    -- '1Gi'  | '2Gi'   | '4Gi'
  db_storage_size  VARCHAR(10)  DEFAULT '20Gi',   -- '20Gi' | '50Gi'  | '100Gi'

  -- Feature flags consumed by API tier
  enable_analytics      BOOLEAN DEFAULT FALSE,
  enable_notifications  BOOLEAN DEFAULT TRUE
);

INSERT INTO nodes (node_id) VALUES ('acme-corp');
INSERT INTO nodes (node_id, api_replicas, db_cpu_request, db_memory_request, db_storage_size, enable_analytics)
  VALUES ('globex', 5, '1000m', '2Gi', '50Gi', TRUE);
INSERT INTO nodes (node_id, is_active) VALUES ('initech', FALSE);
