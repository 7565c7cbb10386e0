import VAECore
import ArgumentParser
