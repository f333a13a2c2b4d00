import Banyan
import BanyanSync
import Hummingbird
