@_exported import BanyanCore
