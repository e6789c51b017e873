package boards

import (
	"github.com/govpulse/govpulse/dashboards"
)

// provisioning returns Grafana's datasource and dashboard provider files: the
// compose stack mounts deploy/grafana/provisioning/{datasources,dashboards}
// under /etc/grafana/provisioning and deploy/grafana/dashboards at
// /var/lib/grafana/dashboards.
func provisioning() ([]dashboards.File, error) {
	ds := map[string]any{
		"apiVersion": 1,
		"datasources": []map[string]any{{
			"name": "Prometheus", "type": "prometheus", "uid": DatasourceUID, "access": "proxy",
			"url": "http://prometheus:9090", "isDefault": true, "editable": false,
		}},
	}
	dp := map[string]any{
		"apiVersion": 1,
		"providers": []map[string]any{{
			"name": "govpulse", "folder": "govpulse", "type": "file", "disableDeletion": true,
			"allowUiUpdates": false, "updateIntervalSeconds": 60,
			"options": map[string]any{"path": "/var/lib/grafana/dashboards"},
		}},
	}
	a, err := dashboards.YAML(ds, "Grafana datasource provisioning: the compose stack's Prometheus.")
	if err != nil {
		return nil, err
	}
	b, err := dashboards.YAML(dp, "Grafana dashboard provisioning: the generated boards in /var/lib/grafana/dashboards.")
	if err != nil {
		return nil, err
	}
	return []dashboards.File{{Path: DatasourceFile, Data: a}, {Path: DashboardProvFile, Data: b}}, nil
}
