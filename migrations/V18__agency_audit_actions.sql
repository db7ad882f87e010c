-- The administrator's console carries the agency lifecycle (expand step): an agency's opening and
-- closing days and its successors edited in the console, and the agencies catalog imported from a
-- CSV file pasted there, are written to the audit log as `agency_change` and `agency_import`.
--
-- Old code writes only the existing actions, which the new list keeps.

ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_action_check CHECK (action IN
    ('phone_search', 'dossier_view', 'intake_item_view', 'sms_to_caller', 'audit_export',
     'calendar_change', 'calendar_import', 'agency_change', 'agency_import'));
