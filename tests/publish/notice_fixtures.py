"""A small valid UK7 package, written by hand, that tests break one field at a time."""

from __future__ import annotations

import copy
from typing import Any

UK7: dict[str, Any] = {
    "uri": "https://example.org/packages/uk7.json",
    "version": "1.1",
    "publishedDate": "2026-03-10T00:00:00Z",
    "publisher": {"name": "Test Council"},
    "releases": [
        {
            "ocid": "ocds-h6vhtk-test-0001",
            "id": "ocds-h6vhtk-test-0001-UK7-20260310",
            "date": "2026-03-10T00:00:00Z",
            "tag": ["contract"],
            "initiationType": "tender",
            "parties": [
                {"id": "GB-LAE-TST", "name": "Test Council", "roles": ["buyer"]},
                {
                    "id": "GB-COH-01234567",
                    "name": "Acme Ltd",
                    "roles": ["supplier"],
                    "identifier": {"scheme": "GB-COH", "id": "01234567"},
                },
            ],
            "buyer": {"id": "GB-LAE-TST", "name": "Test Council"},
            "tender": {"id": "T-1", "title": "Grounds maintenance", "status": "complete"},
            "awards": [
                {
                    "id": "1",
                    "status": "active",
                    "value": {"amount": 500000, "amountGross": 600000, "currency": "GBP"},
                    "suppliers": [{"id": "GB-COH-01234567", "name": "Acme Ltd"}],
                }
            ],
            "contracts": [
                {
                    "id": "1-contract",
                    "awardID": "1",
                    "status": "active",
                    "value": {"amount": 500000, "amountGross": 600000, "currency": "GBP"},
                    "period": {
                        "startDate": "2026-03-01T00:00:00Z",
                        "endDate": "2028-02-29T00:00:00Z",
                    },
                    "dateSigned": "2026-02-20T00:00:00Z",
                    "aboveThreshold": True,
                    "documents": [
                        {
                            "id": "UK7-1",
                            "documentType": "contractNotice",
                            "noticeType": "UK7",
                            "datePublished": "2026-03-10T00:00:00Z",
                        }
                    ],
                }
            ],
        }
    ],
}


def uk7() -> dict[str, Any]:
    return copy.deepcopy(UK7)


def release(package: dict[str, Any]) -> dict[str, Any]:
    return package["releases"][0]
