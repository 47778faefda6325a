from observatory.store.warehouse import Warehouse, WarehouseLocked, default_db_path

__all__ = ["Warehouse", "WarehouseLocked", "default_db_path"]
