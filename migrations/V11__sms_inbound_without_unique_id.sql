-- Inbound SMS records are written in batches with COPY, after the reply (channels::sms::recorder).
-- A repeated Kannel message id is recognised in memory by the instance that receives it
-- (channels::sms::limits::RecentKeys), no longer by a unique index: COPY cannot skip a conflicting
-- row, and the index cost more than the rest of the row. A repeat that reaches another instance
-- is answered again (the commands are idempotent) and recorded twice.
ALTER TABLE sms_inbound DROP CONSTRAINT sms_inbound_gateway_id_key;
