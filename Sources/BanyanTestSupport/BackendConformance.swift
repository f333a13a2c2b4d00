import Banyan
